# expect-problem: 1: the process loading the case died
import os

os._exit(3)
