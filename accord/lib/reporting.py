"""Django's error report without the request's data.

In development Django answers an unexpected error with its technical 500 page (and ninja with
the traceback as text); in production the same report goes to the ADMINS by e-mail. Either
way it would show what the client sent: the POST parameters, every local variable of every
frame (the raw body, the parsed items) and the exception's message, which often quotes the
value that broke (a database error echoes the row). This report keeps what a developer needs
to find the bug (the exception's type, the frames and their code, the names of the local
variables and cookies) and withholds the request's data and cookies. The full message stays
in the server log.
"""

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

WITHHELD = "(withheld: it may hold the request's data)"


def carries_data(request) -> bool:
    if request is None:
        return False
    try:
        return bool(request.body) or bool(request.POST)
    except Exception:  # body already read as a stream, or unreadable: assume it does
        return request.method not in ("GET", "HEAD", "OPTIONS")


class BodylessFilter(SafeExceptionReporterFilter):
    cleansed_substitute = WITHHELD

    def get_post_parameters(self, request):
        if request is None or not request.POST:
            return {}
        return {name: self.cleansed_substitute for name in request.POST}

    def get_safe_cookies(self, request):
        # The session and CSRF cookies are credentials: names only.
        return {name: self.cleansed_substitute for name in getattr(request, "COOKIES", {})}

    def get_traceback_frame_variables(self, request, tb_frame):
        if carries_data(request):
            return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
        return super().get_traceback_frame_variables(request, tb_frame)


class BodylessExceptionReporter(ExceptionReporter):
    """``DEFAULT_EXCEPTION_REPORTER``: Django's report through ``BodylessFilter``, with the
    exception's message withheld for requests that carry data."""

    def __init__(self, request, exc_type, exc_value, tb, is_email=False):
        super().__init__(request, exc_type, exc_value, tb, is_email)
        self.filter = BodylessFilter()

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if carries_data(self.request):
            data["unicode_hint"] = ""
            if "exception_value" in data:
                data["exception_value"] = f"{WITHHELD}; see the server log"
            data.pop("exception_notes", None)
            for frame in data.get("frames", []):
                if frame.get("exc_cause") is not None:  # "The above exception (message)..."
                    frame["exc_cause"] = WITHHELD
        return data
