"""What a grading writes: the table on stdout, results.json (Gradescope), junit.xml,
classroom.json (GitHub Classroom's grading reporter), and a copy of the sources graded."""

import json
import os
import shutil
import xml.etree.ElementTree as ET

STATE_NOTE = {
    "missing": "not submitted",
    "build-failed": "does not compile",
    "tampered": "test output tampered with",
}


def fmt(x):
    return f"{x:g}"


def totals(lessons):
    tests = [t for r in lessons for t in r.tests]
    return {
        "points": sum(t.points for t in tests),
        "max": sum(t.max_points for t in tests),
        "passed": sum(1 for t in tests if t.status == "passed"),
        "failed": sum(1 for t in tests if t.status not in ("passed", "skipped")),
        "skipped": sum(1 for t in tests if t.status == "skipped"),
        "run": sum(1 for t in tests if t.status != "notrun"),
        "tests": len(tests),
    }


def table(lessons, verbose=False):
    lines = [f"{'lesson':<28} {'points':>13}   tests"]
    for r in lessons:
        run = r.count("passed", "failed", "timeout", "skipped", "tampered")
        passed = r.count("passed")
        note = STATE_NOTE.get(r.state, "")
        tests = f"{passed} / {len(r.tests) if r.state != 'graded' else run} passed"
        if r.count("skipped"):
            tests += f", {r.count('skipped')} skipped"
        pts = f"{fmt(r.points)} / {fmt(r.max_points)}"
        lines.append(f"{r.lesson.lab:<28} {pts:>13}   {tests:<16}{'   ' + note if note else ''}".rstrip())
        for t in r.tests:
            if verbose or (t.status not in ("passed", "skipped", "notrun") and r.state == "graded"):
                tag = " [hidden]" if t.case.hidden else ""
                lines.append(f"      {t.status:<8} {t.case.name}{tag}")
    tot = totals(lessons)
    pts = f"{fmt(tot['points'])} / {fmt(tot['max'])}"
    lines.append(f"{'total':<28} {pts:>13}   {tot['passed']} / {tot['tests']} passed")
    return "\n".join(lines)


def final_line(lessons):
    tot = totals(lessons)
    line = f"{tot['passed']} passed, {tot['failed']} failed"
    if tot["skipped"]:
        line += f", {tot['skipped']} skipped"
    return line


def _test_output(r, t):
    if t.status == "notrun" and r.state == "build-failed":
        return f"not run: labs/{r.lesson.lab} does not compile (see '{r.lesson.lab}: the lab compiles')"
    if t.status == "notrun" and r.state == "missing":
        return f"not run: the submission has no labs/{r.lesson.lab}/*.c"
    if t.status == "skipped":
        return (t.output + "\n" if t.output else "") + "(skipped here: not counted either way)"
    return t.output


def results_json(lessons, seconds, header):
    tests = []
    for r in lessons:
        num = r.lesson.num
        if r.state != "missing":
            tests.append({
                "name": f"{r.lesson.lab}: the lab compiles",
                "number": f"{num}.00",
                "score": 0,
                "max_score": 0,
                "status": "failed" if r.state == "build-failed" else "passed",
                "output": r.build_output or "compiled without messages",
                "visibility": "visible",
                "tags": [r.lesson.lab, "build"],
            })
        for i, t in enumerate(r.tests, 1):
            tags = [r.lesson.lab] + t.case.tags + (["hidden"] if t.case.hidden else [])
            tests.append({
                "name": f"{r.lesson.lab}: {t.case.name}",
                "number": f"{num}.{i:02d}",
                "score": t.points,
                "max_score": t.max_points,
                "status": "passed" if t.ok else "failed",
                "output": _test_output(r, t),
                "visibility": t.visibility,
                "tags": tags,
            })
    tot = totals(lessons)
    broken = [r.lesson.lab for r in lessons if r.state == "build-failed"]
    out = header
    if broken:
        out += "\nThese labs do not compile (0 points for their lesson): " + ", ".join(broken)
    return {
        "score": tot["points"],
        "max_score": tot["max"],
        "execution_time": round(seconds),
        "output": out,
        # The grader's stdout names hidden tests: not for learners.
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def junit_xml(lessons, seconds):
    """A testsuite per lesson: a testcase "the lab compiles" (unless the lab is missing),
    then one per test. The counts are of testcases."""
    counts = {"tests": 0, "failures": 0, "skipped": 0}
    root = ET.Element("testsuites", name="box grader", time=f"{seconds:.1f}")
    for r in lessons:
        built = r.state != "missing"
        n = len(r.tests) + built
        failures = sum(1 for t in r.tests if not t.ok) + (r.state == "build-failed")
        counts["tests"] += n
        counts["failures"] += failures
        counts["skipped"] += r.count("skipped")
        suite = ET.SubElement(
            root, "testsuite", name=r.lesson.lab, tests=str(n), failures=str(failures),
            skipped=str(r.count("skipped")), time=f"{r.build_seconds + r.test_seconds:.1f}",
        )
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="points", value=f"{fmt(r.points)}/{fmt(r.max_points)}")
        ET.SubElement(props, "property", name="state", value=r.state)
        if built:
            case = ET.SubElement(suite, "testcase", classname=r.lesson.lab, name="the lab compiles",
                                 time=f"{r.build_seconds:.1f}")
            if r.state == "build-failed":
                ET.SubElement(case, "failure", message="does not compile").text = r.build_output
        for t in r.tests:
            case = ET.SubElement(suite, "testcase", classname=r.lesson.lab, name=t.case.name,
                                 file=t.case.path, line=str(t.case.line))
            out = _test_output(r, t)
            if t.status == "skipped":
                ET.SubElement(case, "skipped", message=out)
            elif not t.ok:
                ET.SubElement(case, "failure", message=t.status).text = out
            ET.SubElement(case, "system-out").text = (
                f"points {fmt(t.points)}/{fmt(t.max_points)}; visibility {t.visibility}"
            )
    for k, v in counts.items():
        root.set(k, str(v))
    if hasattr(ET, "indent"):
        ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def classroom_json(lessons):
    """A runner result for classroom-resources/autograding-grading-reporter (base64 it)."""
    tests = []
    for r in lessons:
        for t in r.tests:
            if t.visibility != "visible":
                continue
            tests.append({
                "name": f"{r.lesson.lab}: {t.case.name}",
                "status": "pass" if t.ok else "fail",
                "score": t.points,
                "message": _test_output(r, t)[:2000],
                "test_code": f"{t.case.path}:{t.case.line}",
                "filename": t.case.path,
                "line_no": t.case.line,
            })
    tot = totals(lessons)
    return {
        "version": 1,
        "status": "pass" if tot["failed"] == 0 else "fail",
        "max_score": sum(t.max_points for r in lessons for t in r.tests if t.visibility == "visible"),
        "tests": tests,
    }


def write_all(out, lessons, seconds, header, sub, table_text):
    os.makedirs(out, exist_ok=True)

    def put(name, text):
        tmp = os.path.join(out, f".{name}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, os.path.join(out, name))

    put("results.json", json.dumps(results_json(lessons, seconds, header), indent=2) + "\n")
    put("junit.xml", junit_xml(lessons, seconds))
    put("classroom.json", json.dumps(classroom_json(lessons), indent=2) + "\n")
    put("report.txt", table_text + "\n")
    # What was graded, for the record (the submission may change afterwards).
    shutil.rmtree(os.path.join(out, "sources"), ignore_errors=True)
    for lab, files in sub.labs.items():
        d = os.path.join(out, "sources", "labs", lab)
        os.makedirs(d, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
