"""Incident reports (事故受付) with drafts and attachments, and the emergency support desk (緊急時サポート総合サービス):
cases with their phase, checklists, vendor referrals, a timeline, and the regulatory deadlines with time left."""
