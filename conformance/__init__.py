"""webex-conformance: the conformance suite for the Cisco Webex Meetings XML API."""
__version__ = "0.1.0"
