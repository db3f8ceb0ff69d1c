"""Input limits for every request: invisible control characters, 64-bit integers, body size.

One middleware and a few pydantic types, so no view needs its own checks:

- **API** (`/api/`): a program sent the request, so bad input is refused with a 422 in Chinese and
  nothing is changed (silently altering an integrator's data would hide their bug). The
  middleware refuses bodies over `settings.API_MAX_BODY_BYTES` (413), JSON that does not parse,
  control characters or lone surrogates in any string of the body or the query, integers beyond
  64 bits anywhere in the body, and a malformed `X-Park`. The schema types here (`Line`, `Text`,
  `Id`, `PageNo`) add what only the field knows: one line or several, the range of an id or page.
- **Pages**: a person typed or pasted the text. Browsers cannot type control characters; they
  arrive with a paste from Word, PDF or Excel (vertical tab for Word's line break, form feed,
  NUL from some PDF copies), invisible, so the person could not find and remove them. They are
  stripped from the query and form values (vertical tab and form feed become a line break) and
  the text otherwise kept. An id in the URL beyond 64 bits answers 404.
- **Safety net**: an integer beyond what the database stores that still reaches a query (the
  many int query/form fields of pages) answers 422 instead of a server error; the transaction
  has rolled back by then, and the log names the place so it can be checked earlier.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, cast

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    from django.http.request import _ImmutableQueryDict

log = logging.getLogger(__name__)

INT_MAX = 2**63 - 1  # the largest value of a bigint / SQLite INTEGER
PAGE_MAX = 100_000  # 100,000 pages of 200 rows is far beyond any ledger; keeps OFFSET in range
JSON_DEPTH_MAX = 20

# Every C0 and C1 control character and DEL; tab, line feed and carriage return are allowed in
# multi-line text. Lone surrogates (JSON "\ud800") cannot be stored as UTF-8 at all.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_PAGE_STRIP = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_PAGE_BREAKS = re.compile("[\x0b\x0c]")


def _describe(ch: str) -> str:
    names = {"\x00": "空字符 NUL", "\t": "制表符", "\n": "换行", "\r": "回车"}
    return names.get(ch, f"控制字符 U+{ord(ch):04X}")


def control_char(text: str, *, multiline: bool = True) -> str | None:
    """The first character that text of this kind may not contain, described in Chinese."""
    m = (_CONTROL if multiline else _CONTROL_LINE).search(text)
    return _describe(m.group()) if m else None


def clean_pasted(text: str) -> str:
    """What a page keeps of a typed or pasted value: the visible text and its line breaks."""
    if not _PAGE_STRIP.search(text) and not _PAGE_BREAKS.search(text):
        return text
    return _PAGE_STRIP.sub("", _PAGE_BREAKS.sub("\n", text))


# --------------------------------------------------------------------------- schema types


def _check(multiline: bool) -> Callable[[str], str]:
    def check(value: str) -> str:
        bad = control_char(value, multiline=multiline)
        if bad:
            hint = "" if multiline else "（该项只能填一行）"
            raise PydanticCustomError(
                "control_char", "含有不可见的{bad}，请删除后重试{hint}", {"bad": bad, "hint": hint}
            )
        return value

    return check


Line = Annotated[str, AfterValidator(_check(False))]
"""One line of text (a title, a name, a code, a search): no control characters at all."""
Text = Annotated[str, AfterValidator(_check(True))]
"""Multi-line text (a description, a note): tab and line breaks allowed, other controls not."""
Id = Annotated[int, Field(ge=1, le=INT_MAX)]
PageNo = Annotated[int, Field(1, ge=1, le=PAGE_MAX)]

_MESSAGES = {
    "missing": "必填",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "date_type": "应为日期，如 2026-01-31",
    "date_parsing": "应为日期，如 2026-01-31",
    "date_from_datetime_parsing": "应为日期，如 2026-01-31",
    "datetime_parsing": "应为时间，如 2026-01-31T09:30:00+08:00",
    "json_invalid": "不是有效的 JSON",
    "enum": "取值无效",
    "literal_error": "取值无效",
}


def message(err: dict[str, Any]) -> str:
    """A pydantic error in Chinese, for the API's 422 answer."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于 {ctx.get('le', ctx.get('lt'))}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 字"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项"
    return _MESSAGES.get(kind, str(err.get("msg", "")))


# --------------------------------------------------------------------------- JSON bodies


class BadInput(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_json(value: Any, where: str = "", depth: int = 0) -> None:
    """Refuse what no field of any request may hold: control characters in strings (keys too),
    integers a database cannot store, NaN and infinities, nesting deeper than JSON_DEPTH_MAX."""
    if depth > JSON_DEPTH_MAX:
        raise BadInput(f"请求体嵌套超过 {JSON_DEPTH_MAX} 层")
    label = f"“{where}”" if where else ""
    if isinstance(value, str):
        bad = control_char(value)
        if bad:
            raise BadInput(f"字段{label}含有不可见的{bad}，请删除后重试")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not -INT_MAX <= value <= INT_MAX:
            raise BadInput(f"字段{label}的数值超出范围（绝对值不能超过 {INT_MAX}）")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise BadInput(f"字段{label}应为有限的数字")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_json(item, f"{where}[{i}]", depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            bad = control_char(key, multiline=False)
            if bad:
                raise BadInput(f"字段名含有不可见的{bad}")
            check_json(item, f"{where}.{key}" if where else key, depth + 1)


def _check_api(request: HttpRequest) -> tuple[int, str] | None:
    raw_park = request.headers.get("X-Park")
    if raw_park is not None and raw_park.strip():
        text = raw_park.strip()
        # Length first: int() of thousands of digits is refused by Python itself (ValueError).
        if (
            len(text) > 19
            or not text.isascii()
            or not text.isdigit()
            or not 1 <= int(text) <= INT_MAX
        ):
            return 422, f"请求头 X-Park 应为园区编号（1 到 {INT_MAX} 的整数）"
    for key, values in request.GET.lists():
        for value in [key, *values]:
            bad = control_char(value, multiline=False)
            if bad:
                return 422, f"查询参数“{key}”含有不可见的{bad}，请删除后重试"
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    limit = settings.API_MAX_BODY_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 400, "请求头 Content-Length 无效"
    if length > limit:
        return 413, f"请求体过大：{length} 字节，上限 {limit} 字节（{limit // 1024} KB）"
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, values in request.POST.lists():
            for value in [key, *values]:
                bad = control_char(value)
                if bad:
                    return 422, f"字段“{key}”含有不可见的{bad}，请删除后重试"
        return None
    if not length:
        return None
    # django-ninja reads any other body as JSON, whatever its Content-Type says.
    try:
        data = json.loads(request.body)
    except RecursionError:
        return 422, f"请求体嵌套超过 {JSON_DEPTH_MAX} 层"
    except (ValueError, UnicodeDecodeError) as exc:
        return 422, f"请求体不是有效的 JSON（{type(exc).__name__}）"
    try:
        check_json(data)
    except BadInput as exc:
        return 422, exc.message
    return None


# --------------------------------------------------------------------------- pages


def _cleaned(qd: QueryDict) -> _ImmutableQueryDict | None:
    dirty = any(
        _PAGE_STRIP.search(v) or _PAGE_BREAKS.search(v)
        for key, values in qd.lists()
        for v in [key, *values]
    )
    if not dirty:
        return None
    out = QueryDict(mutable=True, encoding=qd.encoding)
    for key, values in qd.lists():
        out.setlist(clean_pasted(key), [clean_pasted(v) for v in values])
    out._mutable = False
    return cast("_ImmutableQueryDict", out)


def _out_of_range(exc: BaseException) -> bool:
    if isinstance(exc, OverflowError):  # SQLite: "Python int too large to convert"
        return True
    if isinstance(exc, DataError):  # PostgreSQL: bigint out of range, NUL in text
        cause = str(exc.__cause__ or exc).lower()
        return "out of range" in cause or "(0x00)" in cause
    return False


OUT_OF_RANGE = f"数值超出范围：编号、页码等整数不能超过 {INT_MAX}"


class InputLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            refused = _check_api(request)
            if refused:
                status, msg = refused
                return JsonResponse({"detail": msg}, status=status)
        else:
            cleaned = _cleaned(request.GET)
            if cleaned is not None:
                request.GET = cleaned
            if request.method == "POST" and request.content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                try:
                    cleaned = _cleaned(request.POST)
                except (RequestDataTooBig, TooManyFieldsSent):
                    mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1048576
                    msg = (
                        f"提交的内容过大：表单文字（不含附件）不能超过 {mb} MB，"
                        f"字段不能超过 {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 个"
                    )
                    return _page_error(request, 413, "提交的内容过大", msg)
                if cleaned is not None:
                    request.POST = cleaned
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        # <int:pk> in a page's URL matches any run of digits.
        if any(isinstance(v, int) and v > INT_MAX for v in [*args, *kwargs.values()]):
            return _page_error(request, 404, "未找到", "编号超出范围，该对象不存在")
        return None

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not _out_of_range(exc):
            return None
        log.warning("out-of-range input reached the database: %s", request.path, exc_info=exc)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": OUT_OF_RANGE}, status=422)
        return _page_error(request, 422, "输入有误", OUT_OF_RANGE)


def _page_error(request: HttpRequest, status: int, title: str, msg: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": msg}, status=status)
    return render(request, "web/error.html", {"title": title, "message": msg}, status=status)


def install(api: Any) -> None:
    """The API side of the safety net: django-ninja answers exceptions itself before any
    middleware sees them."""

    def handler(request: HttpRequest, exc: Exception) -> HttpResponse:
        if not _out_of_range(exc):
            raise exc
        log.warning("out-of-range input reached the database: %s", request.path, exc_info=exc)
        return api.create_response(request, {"detail": OUT_OF_RANGE}, status=422)

    api.add_exception_handler(OverflowError, handler)
    api.add_exception_handler(DataError, handler)
