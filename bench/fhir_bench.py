"""Benchmark of FHIR input: patients per second (Bundle, Bulk) and peak memory of a Bulk export.

    python bench/fhir_bench.py                  # Bundle 2,000 and Bulk 20,000 patients x3; RSS 10k/100k
    python bench/fhir_bench.py --quick          # small sizes, so the script cannot rot
    python bench/fhir_bench.py --rss 10000,100000,300000,1000000 --keep /tmp/fhir-exports
    python bench/fhir_bench.py --evaluate-rss   # the RSS runs also evaluate end to end

A seeded generator writes a population with eleven resources per patient (Patient,
atopic dermatitis Condition, another Condition, two AllergyIntolerances, three weights,
two coded answers, a MedicationRequest). Throughput is ``eligibility evaluate PATH
--format jsonl`` end to end in a child process (``bench/child.py``), repeated: the median
and range of its CPU time (user + sys, which a busy machine moves less than wall time)
per patient, and of its wall time. Memory is the child's peak RSS (``VmHWM``) while it
reads a Bulk export (join and mapping, no evaluation; with ``--evaluate-rss`` also the
whole ``evaluate``) at each size: the difference divided by the difference in patients is
what each patient costs; the rest is the constant. Numbers only, no pass/fail: the
machine is noisy. ``--keep DIR`` keeps the generated exports for the next run (a
1,000,000-patient export is about 3 GB and takes minutes to write).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

SNOMED = "http://snomed.info/sct"
OWN = "urn:eligibility:CodeSystem:ad-assessment"
CHILD = str(Path(__file__).resolve().parent / "child.py")
AS_OF = "2026-06-01"
READ_ONLY = """
import sys, datetime as dt
from eligibility.inputs.reader import expand_paths, read_records
count = sum(1 for _ in read_records(expand_paths([sys.argv[1]]), as_of=dt.date(2026, 6, 1)))
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(count, peak)
"""


def coded(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def patient_resources(number: int, rng: random.Random) -> list[dict[str, Any]]:
    ident = f"p{number:07}"
    ref = {"reference": f"Patient/{ident}"}
    active = coded("http://terminology.hl7.org/CodeSystem/condition-clinical", "active")
    out: list[dict[str, Any]] = [
        {"resourceType": "Patient", "id": ident, "gender": rng.choice(["female", "male"]),
         "birthDate": f"{rng.randint(1940, 2025)}-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}"},
        {"resourceType": "Condition", "id": f"{ident}-ad", "subject": ref, "clinicalStatus": active,
         "code": coded(SNOMED, "24079001"), "recordedDate": "2025-01-02",
         "severity": coded(SNOMED, rng.choice(["255604002", "6736007", "24484000"]))},
        {"resourceType": "Condition", "id": f"{ident}-as", "subject": ref, "clinicalStatus": active,
         "code": coded(SNOMED, rng.choice(["195967001", "61582004", "38341003"]))}]
    for index, code in enumerate(rng.sample(["260147004", "256277009", "264287008", "84489001"], 2)):
        out.append({"resourceType": "AllergyIntolerance", "id": f"{ident}-a{index}", "patient": ref,
                    "code": coded(SNOMED, code)})
    for index in range(3):
        out.append({"resourceType": "Observation", "id": f"{ident}-w{index}", "subject": ref,
                    "status": "final", "code": coded("http://loinc.org", "29463-7"),
                    "effectiveDateTime": f"2026-0{index + 1}-15",
                    "valueQuantity": {"value": rng.randint(10, 120), "unit": "kg",
                                      "system": "http://unitsofmeasure.org", "code": "kg"}})
    for question in ("topical-response", "allergy-eczema-link"):
        answer = rng.choice(["inadequate", "adequate"]) if question != "allergy-eczema-link" \
            else rng.choice(["linked", "not-linked"])
        out.append({"resourceType": "Observation", "id": f"{ident}-{question}", "subject": ref,
                    "status": "final", "code": coded(OWN, question),
                    "effectiveDateTime": "2026-03-01", "valueCodeableConcept": coded(OWN, answer)})
    out.append({"resourceType": "MedicationRequest", "id": f"{ident}-m", "subject": ref,
                "status": "active", "intent": "order",
                "medicationCodeableConcept": coded("http://www.whocc.no/atc", "D07AC01")})
    return out


def write_bulk(folder: Path, patients: int) -> int:
    """Write a Bulk export of ``patients`` patients; return the number of resources."""
    rng = random.Random(14)
    handles: dict[str, Any] = {}
    total = 0
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    with ExitStack() as stack:
        for number in range(patients):
            for resource in patient_resources(number, rng):
                kind = resource["resourceType"]
                if kind not in handles:
                    handles[kind] = stack.enter_context(
                        open(folder / f"{kind}.ndjson", "w", encoding="utf-8",
                             buffering=1 << 20))
                handles[kind].write(dumps(resource) + "\n")
                total += 1
    return total


def write_bundle(path: Path, patients: int) -> None:
    rng = random.Random(14)
    entries = [{"resource": resource} for number in range(patients)
               for resource in patient_resources(number, rng)]
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))


def child(argv: list[str]) -> tuple[float, float, int, str]:
    """(CPU seconds, wall seconds, peak RSS KiB, stdout) of one child process (its CPU time
    is what RUSAGE_CHILDREN grew by: this process runs one child at a time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv[:4])}...: exit {done.returncode}: {done.stderr[-500:]}")
    peak = next((int(line.split()[1]) for line in done.stderr.splitlines()
                 if line.startswith("peak-rss-kb")), -1)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, peak, done.stdout


def evaluate(path: Path, patients: int) -> tuple[float, float, int]:
    """CPU, wall and peak RSS of one ``evaluate``, after checking it wrote a record per
    patient (a run that failed early would otherwise read as a fast one)."""
    out = path.parent / "out.jsonl"
    cpu, wall, peak, _ = child([sys.executable, CHILD, "evaluate", str(path), "--format", "jsonl",
                                "-q", "--as-of", AS_OF, "-o", str(out)])
    with out.open("rb") as written:
        lines = sum(1 for _ in written)
    if lines != patients:
        raise SystemExit(f"evaluate {path} wrote {lines} records, not {patients}")
    return cpu, wall, peak


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):8.0f} ({min(values):.0f}-{max(values):.0f})"


def throughput(root: Path, bundle_n: int, bulk_n: int, repeats: int) -> None:
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    write_bundle(root / "bundle.json", bundle_n)
    bulk = root / "bulk"
    bulk.mkdir(exist_ok=True)
    resources = write_bulk(bulk, bulk_n)
    for label, path, patients in (("Bundle", root / "bundle.json", bundle_n),
                                  ("Bulk", bulk, bulk_n)):
        runs = [evaluate(path, patients) for _ in range(repeats)]
        per_cpu = [patients / cpu for cpu, _, _ in runs]
        per_wall = [patients / wall for _, wall, _ in runs]
        extra = f" ({resources} resources)" if label == "Bulk" else ""
        print(f"{label:6} {patients:>7} patients{extra}: {spread(per_cpu)} patients per CPU-second, "
              f"{spread(per_wall)} per wall-second (evaluate --format jsonl, median (range) of "
              f"{repeats})", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)


def export(root: Path, patients: int) -> Path:
    folder = root / f"export-{patients}"
    done = folder / "DONE"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        resources = write_bulk(folder, patients)
        done.write_text(str(resources))
        print(f"  wrote {patients} patients ({resources} resources) in "
              f"{time.perf_counter() - start:.0f} s", flush=True)
    return folder


def memory(root: Path, sizes: list[int], with_evaluate: bool) -> None:
    peaks: dict[str, dict[int, int]] = {"read": {}, "evaluate": {}}
    for patients in sizes:
        folder = export(root, patients)
        cpu, wall, _, out = child([sys.executable, "-c", READ_ONLY, str(folder)])
        count, kib = (int(part) for part in out.split())
        peaks["read"][patients] = kib
        print(f"Bulk read {patients:>8} patients: peak RSS {kib / 1024:7.1f} MiB, "
              f"{count / cpu:6.0f} patients per CPU-second, {count / wall:6.0f} per wall-second "
              f"(join + mapping, no evaluation; load {os.getloadavg()[0]:.1f})", flush=True)
        if with_evaluate:
            cpu, wall, kib = evaluate(folder, patients)
            peaks["evaluate"][patients] = kib
            print(f"Bulk evaluate {patients:>8} patients: peak RSS {kib / 1024:7.1f} MiB, "
                  f"{patients / cpu:6.0f} patients per CPU-second, {patients / wall:6.0f} per "
                  f"wall-second (evaluate --format jsonl -o FILE; load "
                  f"{os.getloadavg()[0]:.1f})", flush=True)
            (folder.parent / "out.jsonl").unlink(missing_ok=True)
    for kind, found in peaks.items():
        ordered = sorted(found)
        for small, large in itertools.pairwise(ordered):
            slope = (found[large] - found[small]) * 1024 / (large - small)
            print(f"{kind}: peak RSS per patient {slope:.0f} bytes between {small} and {large} "
                  f"patients; constant about {(found[small] * 1024 - slope * small) / 2**20:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rss", default=None, help="export sizes for the RSS runs (comma-separated)")
    parser.add_argument("--evaluate-rss", action="store_true",
                        help="the RSS runs also evaluate end to end")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", default=None, help="keep generated exports in this folder")
    parser.add_argument("--skip-throughput", action="store_true", help="only the RSS runs")
    parser.add_argument("--skip-rss", action="store_true", help="only the throughput runs")
    args = parser.parse_args()
    bundle_n, bulk_n = (200, 1000) if args.quick else (2000, 20000)
    sizes = [int(size) for size in args.rss.split(",")] if args.rss else \
        ([1000, 5000] if args.quick else [10_000, 100_000])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if not args.skip_throughput:
            throughput(root, bundle_n, bulk_n, 1 if args.quick else args.repeats)
        if not args.skip_rss:
            memory(Path(args.keep) if args.keep else root, sizes, args.evaluate_rss)


if __name__ == "__main__":
    main()
