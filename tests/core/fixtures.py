"""Small inline text-proto statistics and a schema for the fast tests of the pure core.

A taxi-like dataset with five features, written the way TFDV writes them so that a reader can do
the arithmetic by hand:

    feature       schema                              day 1 (baseline)  day 2 (drifted)  serving
    payment_type  STRING, Cash|Credit Card|Mobile,    Cash 60           Cash 40          as day 1
                  L-infinity drift and skew 0.1       Credit Card 40    Credit Card 55
                                                                        Mobile 5
    fare          FLOAT, Jensen-Shannon drift and     $0-10: 50         $0-10: 25        as day 2
                  skew 0.05                           $10-20: 40        $10-20: 35
                                                      $20-30: 10        $20-30: 40
    trip_seconds  INT                                 INT               INT              INT
    company       STRING, may be missing              10 missing        10 missing       as day 1
    tips (label)  FLOAT, not in SERVING, JSD drift    present           present          absent

Every batch has 100 examples.
Variants for schema anomalies: ``TRIP_SECONDS_AS_FLOAT`` (type), ``PAYMENT_WITH_DISPUTE`` (a value
outside the domain), ``FARE_PARTLY_MISSING`` (20 of 100 missing where the schema wants all).
``statistics(num_examples, *features)`` assembles a ``DatasetFeatureStatisticsList`` from the
feature snippets below, so a test states its batch in one line (``statistics(100, PAYMENT_DAY2,
FARE_DAY2, ...)``) and a variant swaps one snippet.
"""

from __future__ import annotations

from google.protobuf import text_format
from tensorflow_metadata.proto.v0 import schema_pb2, statistics_pb2

from dataguard.core.models import Anomaly, Metric

SCHEMA = """
default_environment: "TRAINING"
default_environment: "SERVING"
feature {
  name: "payment_type"  type: BYTES  domain: "payment_type"
  presence { min_fraction: 1.0 min_count: 1 }
  drift_comparator { infinity_norm { threshold: 0.1 } }
  skew_comparator { infinity_norm { threshold: 0.1 } }
}
feature {
  name: "fare"  type: FLOAT
  presence { min_fraction: 1.0 min_count: 1 }
  drift_comparator { jensen_shannon_divergence { threshold: 0.05 } }
  skew_comparator { jensen_shannon_divergence { threshold: 0.05 } }
}
feature { name: "trip_seconds"  type: INT  presence { min_count: 1 } }
feature { name: "company"  type: BYTES  presence { min_count: 1 } }
feature {
  name: "tips"  type: FLOAT  presence { min_count: 1 }
  not_in_environment: "SERVING"
  drift_comparator { jensen_shannon_divergence { threshold: 0.05 } }
}
string_domain { name: "payment_type" value: "Cash" value: "Credit Card" value: "Mobile" }
"""

PAYMENT_DAY1 = """
path { step: "payment_type" }  type: STRING
string_stats {
  common_stats { num_non_missing: 100 min_num_values: 1 max_num_values: 1 avg_num_values: 1
                 tot_num_values: 100 }
  unique: 2
  top_values { value: "Cash" frequency: 60 }
  top_values { value: "Credit Card" frequency: 40 }
  rank_histogram { buckets { low_rank: 0 high_rank: 0 label: "Cash" sample_count: 60 }
                   buckets { low_rank: 1 high_rank: 1 label: "Credit Card" sample_count: 40 } }
}
"""
PAYMENT_DAY2 = """
path { step: "payment_type" }  type: STRING
string_stats {
  common_stats { num_non_missing: 100 min_num_values: 1 max_num_values: 1 avg_num_values: 1
                 tot_num_values: 100 }
  unique: 3
  top_values { value: "Credit Card" frequency: 55 }
  top_values { value: "Cash" frequency: 40 }
  top_values { value: "Mobile" frequency: 5 }
  rank_histogram { buckets { low_rank: 0 high_rank: 0 label: "Credit Card" sample_count: 55 }
                   buckets { low_rank: 1 high_rank: 1 label: "Cash" sample_count: 40 }
                   buckets { low_rank: 2 high_rank: 2 label: "Mobile" sample_count: 5 } }
}
"""
PAYMENT_WITH_DISPUTE = """
path { step: "payment_type" }  type: STRING
string_stats {
  common_stats { num_non_missing: 100 min_num_values: 1 max_num_values: 1 avg_num_values: 1
                 tot_num_values: 100 }
  unique: 3
  top_values { value: "Cash" frequency: 55 }
  top_values { value: "Credit Card" frequency: 40 }
  top_values { value: "Dispute" frequency: 5 }
  rank_histogram { buckets { low_rank: 0 high_rank: 0 label: "Cash" sample_count: 55 }
                   buckets { low_rank: 1 high_rank: 1 label: "Credit Card" sample_count: 40 }
                   buckets { low_rank: 2 high_rank: 2 label: "Dispute" sample_count: 5 } }
}
"""
FARE_DAY1 = """
path { step: "fare" }  type: FLOAT
num_stats {
  common_stats { num_non_missing: 100 min_num_values: 1 max_num_values: 1 avg_num_values: 1
                 tot_num_values: 100 }
  mean: 11.0  std_dev: 6.0  min: 0.0  median: 10.0  max: 30.0
  histograms { buckets { low_value: 0 high_value: 10 sample_count: 50 }
               buckets { low_value: 10 high_value: 20 sample_count: 40 }
               buckets { low_value: 20 high_value: 30 sample_count: 10 } }
}
"""
FARE_DAY2 = """
path { step: "fare" }  type: FLOAT
num_stats {
  common_stats { num_non_missing: 100 min_num_values: 1 max_num_values: 1 avg_num_values: 1
                 tot_num_values: 100 }
  mean: 16.5  std_dev: 7.8  min: 0.0  median: 17.0  max: 30.0
  histograms { buckets { low_value: 0 high_value: 10 sample_count: 25 }
               buckets { low_value: 10 high_value: 20 sample_count: 35 }
               buckets { low_value: 20 high_value: 30 sample_count: 40 } }
}
"""
FARE_PARTLY_MISSING = """
path { step: "fare" }  type: FLOAT
num_stats {
  common_stats { num_non_missing: 80 num_missing: 20 min_num_values: 1 max_num_values: 1
                 avg_num_values: 1 tot_num_values: 80 }
  mean: 11.0  std_dev: 6.0  min: 0.0  median: 10.0  max: 30.0
  histograms { buckets { low_value: 0 high_value: 10 sample_count: 40 }
               buckets { low_value: 10 high_value: 20 sample_count: 32 }
               buckets { low_value: 20 high_value: 30 sample_count: 8 } }
}
"""
TRIP_SECONDS = """
path { step: "trip_seconds" }  type: INT
num_stats {
  common_stats { num_non_missing: 100 min_num_values: 1 max_num_values: 1 avg_num_values: 1
                 tot_num_values: 100 }
  mean: 600  std_dev: 300  min: 60  median: 540  max: 3600
  histograms { buckets { low_value: 60 high_value: 600 sample_count: 60 }
               buckets { low_value: 600 high_value: 3600 sample_count: 40 } }
}
"""
TRIP_SECONDS_AS_FLOAT = TRIP_SECONDS.replace("type: INT", "type: FLOAT")
COMPANY = """
path { step: "company" }  type: STRING
string_stats {
  common_stats { num_non_missing: 90 num_missing: 10 min_num_values: 1 max_num_values: 1
                 avg_num_values: 1 tot_num_values: 90 }
  unique: 2
  top_values { value: "Flash Cab" frequency: 50 }
  top_values { value: "Taxi Affiliation" frequency: 40 }
  rank_histogram { buckets { low_rank: 0 high_rank: 0 label: "Flash Cab" sample_count: 50 }
                   buckets { low_rank: 1 high_rank: 1 label: "Taxi Affiliation" sample_count: 40 } }
}
"""
TIPS = """
path { step: "tips" }  type: FLOAT
num_stats {
  common_stats { num_non_missing: 100 min_num_values: 1 max_num_values: 1 avg_num_values: 1
                 tot_num_values: 100 }
  mean: 2.0  std_dev: 1.0  min: 0.0  median: 2.0  max: 4.0
  histograms { buckets { low_value: 0 high_value: 2 sample_count: 50 }
               buckets { low_value: 2 high_value: 4 sample_count: 50 } }
}
"""


def statistics(num_examples: int, *features: str) -> statistics_pb2.DatasetFeatureStatisticsList:
    """One batch's statistics (the default slice) made of the feature snippets above."""
    body = "".join(f"features {{ {feature} }}\n" for feature in features)
    text = f'datasets {{ name: "All Examples" num_examples: {num_examples}\n{body}}}'
    return text_format.Parse(text, statistics_pb2.DatasetFeatureStatisticsList())


def schema(text: str = SCHEMA) -> schema_pb2.Schema:
    return text_format.Parse(text, schema_pb2.Schema())


def day1() -> statistics_pb2.DatasetFeatureStatisticsList:
    """The baseline: a training batch that conforms to the schema."""
    return statistics(100, PAYMENT_DAY1, FARE_DAY1, TRIP_SECONDS, COMPANY, TIPS)


def day2() -> statistics_pb2.DatasetFeatureStatisticsList:
    """The next training batch: payment_type and fare have drifted, tips has not."""
    return statistics(100, PAYMENT_DAY2, FARE_DAY2, TRIP_SECONDS, COMPANY, TIPS)


def serving_requests() -> statistics_pb2.DatasetFeatureStatisticsList:
    """Serving requests: no label, day 1's payment types, day 2's (skewed) fares."""
    return statistics(100, PAYMENT_DAY1, FARE_DAY2, TRIP_SECONDS, COMPANY)


def findings(anomalies: tuple[Anomaly, ...] | list[Anomaly]) -> set[tuple[str, str, str]]:
    """``{(kind, feature, type)}``: what a reader of a check looks at first."""
    return {(a.kind.value, a.feature, a.type) for a in anomalies}


def only(items: tuple[Metric, ...] | tuple[Anomaly, ...], **where: object):  # type: ignore[no-untyped-def]
    """The one metric or anomaly whose attributes equal ``where`` (fails if not exactly one)."""
    matching = [i for i in items if all(_value(getattr(i, k)) == v for k, v in where.items())]
    assert len(matching) == 1, (where, items)
    return matching[0]


def _value(attribute: object) -> object:
    return getattr(attribute, "value", attribute)
