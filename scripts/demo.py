"""`make demo`: placeholder until bulk provisioning lands.

It will start the local emulator, provision examples/plan.yaml with a progress
bar, show the summary, run the plan again to show that nothing is re-sent, and
stop the emulator.
"""

print(__doc__)
