"""tools/grade.d/config.py: the knobs of config.h the grader must agree with (UTIL_WEIGHT,
MAX_HEAP), read from the file the harness is built with, so that no figure of the grader's can
go stale when config.h changes."""
import ast
import re

# An integer literal's C suffixes (1UL), which Python does not read.
INT_SUFFIX = re.compile(r"\b(\d+)[uUlL]+\b")
# What a constant expression of config.h may use: numbers, + - * <<, parentheses.
CONSTANT_NODES = (ast.Expression, ast.BinOp, ast.Constant, ast.Add, ast.Sub, ast.Mult,
                  ast.LShift)


def define(path, name):
    """The text of the first `#define NAME TEXT` in path (its default: an override from make
    would sit under #ifndef above it), or None when there is none."""
    with open(path) as f:
        m = re.search(rf"^\s*#\s*define\s+{name}\s+(.+?)\s*(?:/[*/].*)?$", f.read(), re.M)
    return m.group(1) if m else None


def number(text):
    """The value of a C constant like 0.60 or (1UL << 30), or None when text is not one."""
    try:
        tree = ast.parse(INT_SUFFIX.sub(r"\1", text.strip()), mode="eval")
    except SyntaxError:
        return None
    if not all(isinstance(n, CONSTANT_NODES) and
               (not isinstance(n, ast.Constant) or type(n.value) in (int, float))
               for n in ast.walk(tree)):
        return None
    return eval(compile(tree, "config.h", "eval"))  # numbers and operators only, checked above
