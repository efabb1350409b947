"""Static checks on a submission's compiled mm.o (and its source, to point at lines).

A finding is a dict {"check", "symbol", "lines", "message", "blocking"}; blocking findings
make the grade 0 whatever the run gives. The object is examined with binutils inside the
sandbox (a hostile object file is input to nm like any other); this module only parses text.

What mm.c may use (the SPEC's set, plus what compilers emit for it and harmless helpers):
  memlib's student interface; memcpy/memset/memmove/memcmp/strlen; printf, fprintf, puts,
  putchar, fputs, fputc, putc, fwrite, fflush and the stdout/stderr streams (a submission has
  no way to get any other FILE*: fopen/fdopen are refused, so these only reach the terminal);
  exit/abort/assert (the driver reports an exit); fortify and stack-protector helpers.
memlib's driver-side calls (mem_init, mem_reset_brk, ...) are refused: mem_reset_brk would
reset the high-water mark that utilization is computed from.
"""
import re

ALLOWED = {
    # memlib, as a student sees it
    "mem_sbrk", "mem_heap_lo", "mem_heap_hi", "mem_heapsize", "mem_pagesize",
    "mem_memcpy", "mem_memset",
    # memory and string helpers
    "memcpy", "memset", "memmove", "memcmp", "strlen",
    # output to the terminal
    "printf", "fprintf", "vprintf", "vfprintf", "puts", "putchar", "fputs", "fputc", "putc",
    "fwrite", "fflush", "stdout", "stderr",
    # ending the process (the driver reports it)
    "exit", "abort", "__assert_fail",
    # emitted by the compiler or by glibc's headers for the calls above
    "__stack_chk_fail", "__printf_chk", "__fprintf_chk", "__vprintf_chk", "__vfprintf_chk",
    "__memcpy_chk", "__memset_chk", "__memmove_chk", "_GLOBAL_OFFSET_TABLE_",
}

# libgcc's arithmetic helpers (__popcountdi2, __udivti3, __floatundidf, ...): the compiler
# calls them for builtins and wide arithmetic; they touch nothing but their arguments.
LIBGCC_HELPER = re.compile(r"^__[a-z]+(qi|hi|si|di|ti|sf|df|xf|tf)[23]?$")

# Why a name is refused, for the message; anything else outside ALLOWED is "not allowed".
CATEGORIES = [
    ("uses the C library's allocator",
     "malloc calloc realloc free reallocarray aligned_alloc posix_memalign memalign valloc "
     "pvalloc strdup strndup malloc_usable_size __libc_malloc __libc_free cfree"),
    ("takes memory from the system",
     "sbrk brk mmap mmap64 munmap mremap mprotect madvise shmget shmat"),
    ("reserved for the driver (it would falsify the heap's figures)",
     "mem_init mem_deinit mem_reset_brk mem_set_max_heap mem_set_guard"),
    ("starts or controls processes",
     "system fork vfork clone clone3 execve execv execvp execvpe execl execlp execle fexecve "
     "posix_spawn posix_spawnp popen kill raise ptrace setsid daemon"),
    ("uses the network",
     "socket socketpair connect bind listen accept accept4 send sendto sendmsg recv recvfrom "
     "recvmsg getaddrinfo gethostbyname"),
    ("does file I/O",
     "fopen fopen64 freopen fdopen fclose open open64 openat openat64 creat creat64 write pwrite "
     "writev read pread readv close unlink unlinkat remove rename mkdir rmdir truncate "
     "ftruncate opendir dup dup2 pipe"),
    ("loads code", "dlopen dlmopen dlsym dlvsym"),
    ("makes raw system calls", "syscall"),
]
CATEGORY = {name: why for why, names in CATEGORIES for name in names.split()}

# Names the submission defines on purpose: the lab's interface and the team record.
OWN = re.compile(r"^(mm_\w+|team)$")

# Sections whose code runs when mdriver starts or ends, in the driver's own process rather
# than in the sandboxed child that runs the allocator: the tables of constructors and
# destructors, and .init/.fini, whose code the linker splices into _init and _fini.
STARTUP = re.compile(r"^\.(init_array|fini_array|preinit_array|ctors|dtors|init|fini)(\.|$)")

# sizeof(team_t), mm.h's team record (five pointers): the original lab requires it, so that
# much of a global named team is not allocator state; anything beyond is.
TEAM_BYTES = 5 * 8

# Most padding the compiler puts before one object (x86-64 aligns big arrays to 32 bytes).
MAX_PADDING = 64

# Writable sections that are no global data: .data.rel.ro is read-only once relocated (the
# start-up tables, STARTUP, are a finding of their own).
READ_ONLY_ONCE_RELOCATED = re.compile(r"^\.data\.rel\.ro(\.|$)")


def strip_comments(src):
    """Source text with comments and string/char literals blanked, line numbers kept."""
    out = re.sub(r'/\*.*?\*/|//[^\n]*|"(\\.|[^"\\\n])*"|\'(\\.|[^\'\\\n])*\'',
                 lambda m: re.sub(r"[^\n]", " ", m.group(0)), src, flags=re.S)
    return out.splitlines()


def lines_naming(code_lines, name):
    pat = re.compile(r"\b" + re.escape(name) + r"\b")
    return [i + 1 for i, text in enumerate(code_lines)
            if pat.search(text) and not text.lstrip().startswith("#")]


def parse_nm(text):
    """`nm -P` lines -> list of (name, type letter)."""
    return [tuple(line.split()[:2]) for line in text.splitlines() if len(line.split()) >= 2]


def parse_sections(text):
    """`readelf -SW` -> list of (index, name, size, flags)."""
    secs = []
    for m in re.finditer(r"^\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+"
                         r"([0-9a-f]+)\s+[0-9a-f]+\s+([A-Za-z]*)", text, re.M):
        secs.append((m.group(1), m.group(2), int(m.group(3), 16), m.group(4)))
    return secs


def parse_objects(text):
    """`readelf -sW` -> data objects as (name, size, section index or "COM"). Sizes from
    100000 on are given in hex."""
    objs = []
    for m in re.finditer(r"^\s*\d+:\s+[0-9a-f]+\s+(0x[0-9a-f]+|\d+)\s+(OBJECT|TLS)\s+\S+\s+"
                         r"\S+\s+(\S+)\s+(\S+)", text, re.M):
        objs.append((m.group(4), int(m.group(1), 0), m.group(3)))
    return objs


def allocator_bytes(name, size):
    """What a global object of that name and size holds of allocator state."""
    return max(0, size - TEAM_BYTES) if name == "team" else size


def writable_data(secs, objs):
    """Bytes of writable global data: the sizes of the objects in writable sections and in
    COMMON (the alignment padding the compiler puts between them is not the student's doing
    and is not counted), plus the bytes of a writable section that its objects leave
    unaccounted for beyond what padding could explain (data defined in assembly, with no sized
    symbol). The original lab's team record is required, not allocator state: only what a
    global named team holds beyond TEAM_BYTES counts. Returns (total, [(size, name)] biggest
    first)."""
    writable = {idx: size for idx, name, size, flags in secs
                if "W" in flags and "A" in flags and not READ_ONLY_ONCE_RELOCATED.match(name)
                and not STARTUP.match(name)}
    counted = [(allocator_bytes(name, size), name) for name, size, ndx in objs
               if ndx in writable or ndx == "COM"]
    total = sum(size for size, _ in counted)
    for idx, size in writable.items():
        inside = [s for _, s, ndx in objs if ndx == idx]
        unaccounted = size - sum(inside)
        if unaccounted > MAX_PADDING * (len(inside) + 1):
            total += unaccounted
    return total, sorted(((s, n) for s, n in counted if s > 0), reverse=True)


def parse_syscalls(text):
    """`objdump -d` -> functions containing a system-call instruction."""
    funcs, current = [], "?"
    for line in text.splitlines():
        m = re.match(r"^[0-9a-f]+ <([^>]+)>:", line)
        if m:
            current = m.group(1)
        elif re.search(r"\t(syscall|sysenter|int\s+\$0x80)\b", line) and current not in funcs:
            funcs.append(current)
    return funcs


def check(nm_text, sections_text, symtab_text, disasm_text, source, process_names,
          globals_limit, src_name):
    """Findings on one mm.o from its listings (nm -P, readelf -SW, readelf -sW, and the
    lines of objdump -d naming a function and its system-call instructions). process_names:
    what the driver's process binds outside mm.o (its libraries' names, its start-up hooks).
    Returns (findings, bytes of writable global data)."""
    code = strip_comments(source)
    syms = parse_nm(nm_text)
    findings = []

    def add(check_name, symbol, message, blocking=True, lines=()):
        where = ", ".join(f"{src_name}:{n}" for n in lines)
        findings.append({"check": check_name, "symbol": symbol, "lines": list(lines),
                         "message": message + (f" ({where})" if where else ""),
                         "blocking": blocking})

    for name, typ in syms:
        helper = LIBGCC_HELPER.match(name) and name not in process_names  # not __asprintf
        if typ in "Uwv" and name not in ALLOWED and not helper:
            why = CATEGORY.get(name, "is not in the allowed set")
            add("call", name, f"uses {name}: {why}", lines=lines_naming(code, name))

    for name, typ in syms:
        if typ.isupper() and typ not in "UN" and not OWN.match(name) and name in process_names:
            add("interpose", name, f"defines {name}, a name the driver's process already "
                "binds (the C library's, or a start-up hook): it would run in the driver itself "
                "(make it static or rename it)",
                lines=lines_naming(code, name))
        if typ == "i":
            add("startup", name, f"defines {name} as an indirect function, whose resolver "
                "runs in the driver when it starts", lines=lines_naming(code, name))

    secs = parse_sections(sections_text)
    for _, sname, _, _ in secs:
        if STARTUP.match(sname) and not sname.startswith(".rela"):
            add("startup", sname, f"has a {sname} section (start-up or exit code, which runs in "
                "the driver's process, outside the allocator's child)",
                lines=lines_naming(code, "constructor") + lines_naming(code, "destructor"))

    for func in parse_syscalls(disasm_text):
        add("syscall", func, f"{func} executes a system-call instruction directly",
            lines=lines_naming(code, "asm") + lines_naming(code, "__asm__"))

    writable, data = writable_data(secs, parse_objects(symtab_text))
    if writable > globals_limit:
        top = ", ".join(f"{n} ({s} B)" for s, n in data[:5]) or "unnamed data"
        add("globals", data[0][1] if data else "", f"{writable} bytes of writable global data, "
            f"over the limit of {globals_limit}: {top}",
            lines=lines_naming(code, data[0][1]) if data else ())
    return findings, writable
