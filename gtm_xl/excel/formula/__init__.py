"""The headless formula engine: parser, dependency graph, evaluator, vectorised batches, and the
function library (:mod:`.functions`).

The modules, in the order a formula meets them: :mod:`.parser` (text → tree), :mod:`.references`
(R1C1 keys, shifting, templates), :mod:`.graph` (dependencies, order, cycles), :mod:`.evaluator`
(:func:`evaluate_workbook`), :mod:`.book` (values during evaluation, one tree in one cell),
:mod:`.operators`, :mod:`.batches`, :mod:`.spills`.
"""

from gtm_xl.excel.formula.evaluator import Evaluation, evaluate_workbook
from gtm_xl.excel.formula.parser import FormulaSyntaxError, Ref, parse, walk
from gtm_xl.excel.formula.references import r1c1_key, shift

__all__ = ["Evaluation", "FormulaSyntaxError", "Ref", "evaluate_workbook", "parse", "r1c1_key", "shift", "walk"]
