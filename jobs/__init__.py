"""dataguard's Apache Beam jobs: ``python -m jobs.<name> [job options] [Beam options]``.

    validate_batch   read a batch (+ serving batch) → statistics → record → check → hooks
    compute_stats    read a batch → statistics → record (artifact + store row)
    csv_to_tfrecord  CSV → tf.Example TFRecord shards
    main             the Flex Template's launcher: ``--job=<name>`` picks one of the above

The graphs are built by ``dataguard.beamjobs.pipelines`` (also used by ``dataguard stats|run
--engine beam``) from the package's named PTransforms; this folder only parses options and runs.
The job names are ``dataguard.beamjobs.JOBS``.
"""
