"""Emergency support service (緊急時サポート総合サービス): eligibility, triage, regulatory deadlines.

Pure Python; every text, phase, vendor category and day count comes from the product folder.
"""
