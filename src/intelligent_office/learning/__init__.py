"""Learning: failure analysis into planner guidance, and prompt versions gated by evals.

Kept light: importing the package loads nothing; import the modules you need.
"""
