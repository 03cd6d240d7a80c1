"""pytest plugin of the emulator extra (fixtures arrive with the emulator)."""
