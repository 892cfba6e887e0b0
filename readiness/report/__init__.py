"""The readiness report, the implementation plan document, deflection pathways and site comparison."""
