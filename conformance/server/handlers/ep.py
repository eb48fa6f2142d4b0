"""The ep service: GetAPIVersion here; sessions, recordings and contacts in ep_*.py.

GetAPIVersion is the call every version answers and the one version detection relies
on.  Before 39.1.0 it reports ``apiVersion`` "WebEx XML API V11.0.0" and ``release``
"SP<n>" (plus ``trainReleaseVersion`` when asked with returnTrainReleaseVersion).
From 39.1.0 it adds ``apiVer`` ("39.1.0").  Our choices for what the notes leave open:
``apiVersion`` is deprecated, not removed, so it is still sent unchanged (removing it
would break the clients the deprecation notice protects); ``release`` "will be assigned
a new XML API value", so from 39.1.0 it carries the same value as apiVer.  The call is
allowed anonymously (a siteName is still needed to reach a site).
"""
from __future__ import annotations

import datetime as _dt
from typing import Any

from ..defects import Defect
from ..call import Call
from ..routes import handler

API_VERSION_TEXT = "WebEx XML API V11.0.0"

DEFECTS: list[Defect] = [
    Defect("apiver-wrong", "GetAPIVersion's apiVer drops the patch number (\"42.6\" for 42.6.0)",
           ("getapiversion-apiver",)),
    Defect("apiver-too-early", "GetAPIVersion returns apiVer before 39.1.0",
           ("getapiversion-apiver", "ep-no-schema-change-42.4.0", "ep-no-schema-change-sp10"),
           version="11.0.0 SP22"),
    Defect("getapiversion-duplicate-apiversion", "GetAPIVersion repeats apiVersion (not schema-valid)",
           ("ep-no-schema-change-42.4.0", "ep-no-schema-change-sp10", "getapiversion-apiver"), version="42.4.0"),
    Defect("release-stuck-at-sp10", "GetAPIVersion's release says SP10 whatever service pack the server runs",
           ("getapiversion-apiver",), version="11.0.0 SP20"),
]


def _release(call: Call) -> str:
    v = call.version
    if v.sp is not None and call.defect("release-stuck-at-sp10"):
        return "SP10"
    return f"SP{v.sp}" if v.sp is not None else f"{v.major}.{v.minor}.{v.patch}"


@handler("ep", "GetAPIVersion", anonymous=True)
def get_api_version(call: Call) -> list:
    E = call.E("ep")
    v = call.version
    out = [E.apiVersion(API_VERSION_TEXT)]
    if call.defect("getapiversion-duplicate-apiversion"):
        out.append(E.apiVersion(API_VERSION_TEXT))
    out.append(E.release(_release(call)))
    if call.flag("returnTrainReleaseVersion", False):
        out.append(E.trainReleaseVersion("T32L" if v.sp is not None else f"WBS{v.major}.{v.minor}"))
        out.append(E.trainReleaseOrder("400"))
    if v.uses_api_ver or call.defect("apiver-too-early"):
        text = f"{v.major}.{v.minor}.{v.patch}"
        if call.defect("apiver-wrong"):
            text = f"{v.major}.{v.minor}"
        out.append(E.apiVer(text))
    return out
