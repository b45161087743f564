"""CSV → TFRecord of tf.Example: encoding (``examples``), a streaming local converter (``local``)
and the same as Beam PTransforms (``beam``). Nothing here is imported by ``import dataguard``.
"""
