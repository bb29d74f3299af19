# expect-problem: 5: the case tried to start a process
import subprocess
from pathlib import Path

subprocess.run(["touch", str(Path(__file__).resolve().parent.parent / "escaped_by_process.txt")])
