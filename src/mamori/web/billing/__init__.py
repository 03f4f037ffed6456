"""Billing (product.md §5): installments and their due dates, payments (by hand or bank file), the daily job."""
