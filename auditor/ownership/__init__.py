"""Who owns whom: the ownership tables, the regimes (OFAC 50%, BIS Affiliates), the law's fixed point and its proof.

It reads screening results and hands features to `features/`, like any other stage.
"""
