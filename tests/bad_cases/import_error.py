# expect-problem: 2: no_such_module_for_exportdb
import no_such_module_for_exportdb
