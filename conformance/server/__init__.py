"""The reference server: a versioned XML API simulator with seeded defects.

It is a product of its own (vendors test their clients against it) and the embedded
default target of every suite run.  It imports only ``versions``, ``namespaces`` and
``xmlsafe`` from the rest of the package.
"""
