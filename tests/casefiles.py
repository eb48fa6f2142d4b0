"""Small case files for the engine's own tests (the project's real cases live in cases/)."""

APIVER = '''id = "{id}"
title = "GetAPIVersion answers apiVer{suffix}"
introduced = "39.1.0"
source = "New element apiVer added to GetAPIVersion API"
apis = ["GetAPIVersion"]
kind = "element"
{extra}
[[step]]
api = "ep.GetAPIVersion"
role = "site-admin"
[[step.expect]]
versions = ">= 39.1.0"
result = "{result}"
equals = {{ "//ep:apiVer" = "${{target.version}}" }}
[[step.expect]]
versions = "< 39.1.0"
result = "{result}"
absent = ["//ep:apiVer"]
'''


def apiver_case(case_id: str = "apiver", result: str = "SUCCESS", extra: str = "", suffix: str = "") -> str:
    """A case on GetAPIVersion's apiVer (39.1.0) that passes against a correct server
    when ``result`` is SUCCESS and fails when it is FAILURE."""
    return APIVER.format(id=case_id, result=result, extra=extra, suffix=suffix)


def run_cases(pytester, *args: str):
    """Plain ``pytest cases`` in a pytester project, reports in ``out/``: (result, out)."""
    out = pytester.path / "out"
    return pytester.runpytest_inprocess("cases", "-p", "no:cacheprovider", "--conformance-output", str(out),
                                        *args), out
