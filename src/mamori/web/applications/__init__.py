"""Applications (申込み): business details, declaration, start date, payment, consent; underwriting."""
