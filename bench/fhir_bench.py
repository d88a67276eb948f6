"""Benchmark of FHIR input: patients per second (Bundle, Bulk) and peak memory of a Bulk join.

    python bench/fhir_bench.py              # 2,000-patient Bundle, 20,000-patient Bulk, RSS at 10k/100k
    python bench/fhir_bench.py --quick      # small sizes, so the script cannot rot
    python bench/fhir_bench.py --rss 1000000  # the RSS run at a million patients (long)

A seeded generator writes a population with about ten resources per patient (Patient,
atopic dermatitis Condition, other Conditions, AllergyIntolerances, three weights, two
coded answers, a MedicationRequest). Throughput is ``eligibility evaluate ... --format
jsonl`` end to end, in a child process. Memory is the child's peak RSS while it reads a
Bulk export (join and mapping, no evaluation) at two sizes: the difference divided by
the difference in patients is what each patient costs; the rest is the constant.
Numbers only, no pass/fail: the machine is noisy.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

SNOMED = "http://snomed.info/sct"
OWN = "urn:eligibility:CodeSystem:ad-assessment"
READ_ONLY = """
import sys, resource, datetime as dt
from eligibility.inputs.reader import expand_paths, read_records
count = sum(1 for _ in read_records(expand_paths([sys.argv[1]]), as_of=dt.date(2026, 6, 1)))
print(count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
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
    with ExitStack() as stack:
        for number in range(patients):
            for resource in patient_resources(number, rng):
                kind = resource["resourceType"]
                if kind not in handles:
                    handles[kind] = stack.enter_context(
                        open(folder / f"{kind}.ndjson", "w", encoding="utf-8"))
                handles[kind].write(json.dumps(resource, separators=(",", ":")) + "\n")
                total += 1
    return total


def write_bundle(path: Path, patients: int) -> None:
    rng = random.Random(14)
    entries = [{"resource": resource} for number in range(patients)
               for resource in patient_resources(number, rng)]
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))


def evaluate_rate(path: Path, patients: int) -> float:
    """Patients per second of ``eligibility evaluate PATH --format jsonl`` (a child process)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "eligibility", "evaluate", str(path), "--format",
                    "jsonl", "-q", "--as-of", "2026-06-01", "-o", str(path.parent / "out.jsonl")],
                   check=False)
    return patients / (time.perf_counter() - start)


def peak_rss(folder: Path) -> tuple[int, int]:
    """(records read, peak RSS in KiB) of a child reading the export without evaluating."""
    done = subprocess.run([sys.executable, "-c", READ_ONLY, str(folder)], capture_output=True,
                          text=True, check=True)
    count, kib = done.stdout.split()
    return int(count), int(kib)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rss", type=int, default=None, help="largest export for the RSS run")
    parser.add_argument("--skip-throughput", action="store_true", help="only the RSS run")
    parser.add_argument("--skip-rss", action="store_true", help="only the throughput runs")
    args = parser.parse_args()
    bundle_n, bulk_n = (200, 1000) if args.quick else (2000, 20000)
    small, large = (1000, 5000) if args.quick else (10_000, args.rss or 100_000)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if not args.skip_throughput:
            throughput(root, bundle_n, bulk_n)
        if not args.skip_rss:
            memory(root, small, large)


def throughput(root: Path, bundle_n: int, bulk_n: int) -> None:
    write_bundle(root / "bundle.json", bundle_n)
    print(f"Bundle {bundle_n:>7} patients: {evaluate_rate(root / 'bundle.json', bundle_n):8.0f} "
          "patients/s (evaluate, jsonl)", flush=True)
    (root / "bulk").mkdir()
    resources = write_bulk(root / "bulk", bulk_n)
    print(f"Bulk   {bulk_n:>7} patients ({resources} resources): "
          f"{evaluate_rate(root / 'bulk', bulk_n):8.0f} patients/s (evaluate, jsonl)", flush=True)


def memory(root: Path, small: int, large: int) -> None:
    sizes = {}
    for patients in (small, large):
        folder = root / f"rss{patients}"
        folder.mkdir()
        write_bulk(folder, patients)
        start = time.perf_counter()
        count, kib = peak_rss(folder)
        seconds = time.perf_counter() - start
        sizes[patients] = kib
        print(f"Bulk read {patients:>8} patients: peak RSS {kib / 1024:7.1f} MiB, "
              f"{count / seconds:8.0f} patients/s (join + mapping, no evaluation)", flush=True)
        for path in folder.iterdir():
            path.unlink()
    slope = (sizes[large] - sizes[small]) * 1024 / (large - small)
    print(f"Peak RSS per patient: {slope:.0f} bytes (between {small} and {large} patients); "
          f"constant about {(sizes[small] * 1024 - slope * small) / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
