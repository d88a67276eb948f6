"""Population screening: a whole population's answers as Arrow, in Spark, and as a report.

A layer above ``services``: it decides through their batch decisions
(``services.decisions``, the path the CLI's overview and CSV take), and the faces
(``eligibility.arrow``, ``eligibility.spark``, ``eligibility screen``) use it. It needs
``pyarrow`` (the ``spark`` or ``screen`` extra); nothing outside it imports it unasked.
"""
