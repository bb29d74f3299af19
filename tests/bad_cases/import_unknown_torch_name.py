# expect-problem: 2: cannot import name 'no_such_function_in_torch'
from torch import no_such_function_in_torch
