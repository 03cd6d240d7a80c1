"""A local, stateful emulator of the LeadExec Account API (optional extra ``emulator``)."""
