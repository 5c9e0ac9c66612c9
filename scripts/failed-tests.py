"""Prints each failed test of the TRX files in a folder: name, message and the first stack lines.

The quiet console output names a failure without its message, and CI keeps only the tail of
the output, so scripts/test.sh prints these last.
"""
import glob
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}

for path in sorted(glob.glob(f"{sys.argv[1]}/*.trx")):
    for result in ET.parse(path).getroot().iterfind(".//t:UnitTestResult", NS):
        if result.get("outcome") != "Failed":
            continue
        message = result.findtext("t:Output/t:ErrorInfo/t:Message", "", NS).strip()
        stack = result.findtext("t:Output/t:ErrorInfo/t:StackTrace", "", NS).strip().splitlines()
        print(f"FAILED {result.get('testName')} ({result.get('duration')})")
        print("  " + message[:1500].replace("\n", "\n  "))
        for line in stack[:6]:
            print("  " + line.strip()[:300])
