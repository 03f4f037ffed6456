"""Policies: issued from an application, immutable versions, the certificate, changes, cancellation, renewal."""
