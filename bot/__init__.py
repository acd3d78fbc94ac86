"""略阳县社会救助助手: the application package.

Sub-packages are imported on demand; nothing here does work at import time.
"""

__version__ = "0.1.0"
