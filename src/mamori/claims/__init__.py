"""Claim calculation (保険金の算定): coverage terms, document validation, rules and the worksheet.

Pure Python (standard library only): no I/O beyond reading the product's own data files.
"""
