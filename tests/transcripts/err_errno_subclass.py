# The class OSError(errno, strerror) becomes for each errno (PEP 3151), its
# place in the tree, and its str(); then the filename and message forms.
import errno
import os

NUMBERS = [1, 2, 3, 4, 5, 9, 10, 11, 13, 17, 20, 21, 22, 32, 36, 39,
           98, 99, 101, 103, 104, 107, 108, 110, 111, 113, 114, 115, 125]

for n in NUMBERS:
    e = OSError(n, os.strerror(n))
    tree = [c.__name__ for c in type(e).__mro__]
    print(n, errno.errorcode[n], type(e).__name__, tree[:tree.index("OSError") + 1])
    print("  str:", e)

e = OSError(2, os.strerror(2), "a.txt")
print(type(e).__name__, e.filename, "|", e)
e = OSError(13, os.strerror(13), "it's")
print(type(e).__name__, e.filename, "|", e)
e = OSError("no number")
print(type(e).__name__, e.errno, e.strerror, e.filename, "|", e)
