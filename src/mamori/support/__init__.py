"""Emergency support service (緊急時サポート総合サービス): eligibility, triage, regulatory deadlines.

Pure Python over the product version's terms (:class:`mamori.catalog.SupportTerms`,
:class:`mamori.catalog.RegulatoryTerms`): every text, phase, vendor category and day count is data.
"""
