"""Runnable demos of scalar-autograd: ``python -m demos`` lists them."""
