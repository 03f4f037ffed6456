"""The book's risk from the application: the in-force policies as a portfolio book, simulated by the core's
portfolio engine for administrators, with the figures and plots kept per run."""
