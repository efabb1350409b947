"""tools/common.d/config.py: the knobs of config.h the tools must agree with the driver on
(UTIL_WEIGHT for the grader, MAX_HEAP for every tool that writes or checks traces), read from
the file the harness is built with, so that no tool's copy of a figure can go stale when
config.h changes."""
import ast
import os
import re
import sys

# The harness's config.h, which every driver is built with: two folders above this one.
CONFIG_H = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "config.h")

# An integer literal's C suffixes (1UL), which Python does not read.
INT_SUFFIX = re.compile(r"\b(\d+)[uUlL]+\b")
# What a constant expression of config.h may use: numbers, + - * <<, parentheses.
CONSTANT_NODES = (ast.Expression, ast.BinOp, ast.Constant, ast.Add, ast.Sub, ast.Mult,
                  ast.LShift)


def define(path, name):
    """The text of the first `#define NAME TEXT` in path (its default: an override from make
    would sit under #ifndef above it), or None when there is none (or no such file)."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    m = re.search(rf"^\s*#\s*define\s+{name}\s+(.+?)\s*(?:/[*/].*)?$", text, re.M)
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


def value(name, path=CONFIG_H):
    """The number config.h defines as name, or None."""
    text = define(path, name)
    return number(text) if text else None


def max_heap():
    """MAX_HEAP: the simulated heap's size, and so the largest block a trace may hold. A tool
    that cannot read it stops, naming the file."""
    v = value("MAX_HEAP")
    if not isinstance(v, int):
        sys.exit(f"{CONFIG_H}: no MAX_HEAP this tool can read (a number, or numbers with + - * "
                 f"<< and parentheses)")
    return v
