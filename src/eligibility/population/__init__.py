"""Population screening: a whole population's answers as Arrow, in Spark, and as a report.

A layer beside ``services``: it uses the engine and the inputs, and the faces
(``eligibility.arrow``, ``eligibility.spark``, ``eligibility screen``) use it. It needs
``pyarrow`` (the ``spark`` or ``screen`` extra); nothing outside it imports it unasked.
"""
