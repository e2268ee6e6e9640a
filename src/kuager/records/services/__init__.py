"""Services: every write to the documentation model goes through a function here."""
