"""The version of mlplate and of the template it bundles."""

__version__ = "0.1.0"
