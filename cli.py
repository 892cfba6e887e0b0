"""Run lead-readiness from a checkout without installing it: python cli.py --help"""
from readiness.cli import app

app(prog_name="lead-readiness")
