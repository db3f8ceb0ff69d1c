"""Attachments: what may be uploaded to a demand, and by whom.

A file is accepted only when its extension AND its first bytes agree that it is an image, a PDF or
an Office document: a renamed executable is refused. Files are stored under a random name and are
only ever served through a view that checks `access.get_demand`, never from a public media URL.
"""

from __future__ import annotations

import io
import os
import uuid
import zipfile
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from demands.access import visible_demands
from demands.models import Attachment, Demand, Event, Status
from orgs.models import User
from qinshang.errors import Forbidden, InvalidInput, InvalidState

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc/.xls/.ppt
ZIP = b"PK\x03\x04"  # the container of .docx/.xlsx/.pptx

# extension -> (content type, magic-byte check, folder an OOXML zip must contain)
KINDS: dict[str, tuple[str, str, str]] = {
    "jpg": ("image/jpeg", "jpeg", ""),
    "jpeg": ("image/jpeg", "jpeg", ""),
    "png": ("image/png", "png", ""),
    "gif": ("image/gif", "gif", ""),
    "webp": ("image/webp", "webp", ""),
    "pdf": ("application/pdf", "pdf", ""),
    "doc": ("application/msword", "ole2", ""),
    "xls": ("application/vnd.ms-excel", "ole2", ""),
    "ppt": ("application/vnd.ms-powerpoint", "ole2", ""),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "zip",
        "word/",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip", "xl/"),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "zip",
        "ppt/",
    ),
}
ALLOWED_TEXT = "图片（jpg、png、gif、webp）、PDF 和 Office 文档（doc、docx、xls、xlsx、ppt、pptx）"
MAX_FILES = 10
INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}


def _head_matches(kind: str, head: bytes) -> bool:
    if kind == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if kind == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == "gif":
        return head[:6] in (b"GIF87a", b"GIF89a")
    if kind == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "ole2":
        return head.startswith(OLE2)
    if kind == "zip":
        return head.startswith(ZIP)
    return False


def _zip_has(f: UploadedFile, folder: str) -> bool:
    f.seek(0)
    try:
        with zipfile.ZipFile(f) as z:
            return any(n.startswith(folder) for n in z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        f.seek(0)


def clean_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return base[:200] or "附件"


def check_upload(f: UploadedFile) -> str:
    """The content type of an acceptable file; raise InvalidInput with a clear message if not."""
    name = clean_name(f.name or "")
    limit = settings.ATTACHMENT_MAX_BYTES
    if f.size is None or f.size <= 0:
        raise InvalidInput(f"附件“{name}”是空文件", field="files")
    if f.size > limit:
        raise InvalidInput(
            f"附件“{name}”大小为 {f.size / 1048576:.1f} MB，超过 {limit / 1048576:.0f} MB 的上限",
            field="files",
        )
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = KINDS.get(ext)
    if kind is None:
        raise InvalidInput(f"附件“{name}”的类型不受支持：仅允许上传{ALLOWED_TEXT}", field="files")
    content_type, magic, folder = kind
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    if not _head_matches(magic, head) or (folder and not _zip_has(f, folder)):
        raise InvalidInput(
            f"附件“{name}”的内容与扩展名 .{ext} 不符，可能已损坏或被改名，请上传原始文件",
            field="files",
        )
    return content_type


def check_uploads(files: list[UploadedFile]) -> None:
    if len(files) > MAX_FILES:
        raise InvalidInput(f"一次最多上传 {MAX_FILES} 个附件", field="files")
    for f in files:
        check_upload(f)


def add_attachment(
    actor: User, demand: Demand, uploaded_file: UploadedFile, event: Event | None = None
) -> Attachment:
    """Store one file on a demand the actor may see (and, if given, on one of its events)."""
    if not visible_demands(actor, demand.park).filter(pk=demand.pk).exists():
        raise Forbidden("您无权为该诉求上传附件")
    if demand.status == Status.MERGED:
        raise InvalidState("该诉求已合并，请在合并后的诉求中上传附件")
    if event is not None and event.demand_id != demand.pk:
        raise InvalidInput("办理记录不属于该诉求", field="event")
    content_type = check_upload(uploaded_file)
    name = clean_name(uploaded_file.name or "")
    ext = name.rsplit(".", 1)[-1].lower()
    with transaction.atomic():
        att = Attachment(
            demand=demand,
            event=event,
            original_name=name,
            content_type=content_type,
            size=uploaded_file.size or 0,
            uploaded_by=actor,
        )
        uploaded_file.seek(0)
        att.file.save(f"{uuid.uuid4().hex}.{ext}", uploaded_file, save=False)
        att.save()
    return att


def add_attachments(
    actor: User, demand: Demand, files: list[UploadedFile], event: Event | None = None
) -> list[Attachment]:
    check_uploads(files)
    return [add_attachment(actor, demand, f, event) for f in files]


def sample_bytes(kind: str) -> bytes:
    """Smallest valid files of each kind, for tests and the demo (a 1×1 PNG, a tiny PDF, ...)."""
    if kind == "png":
        return bytes.fromhex(
            "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944"
            "4154789c6390f7ebf90f00038201f9c2ab171c0000000049454e44ae426082"
        )
    if kind == "pdf":
        return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    if kind == "docx":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml", "<document/>")
        return buf.getvalue()
    raise ValueError(kind)


def payload_files(files: Any, field: str = "files") -> list[UploadedFile]:
    """The uploaded files of a form field (a MultiValueDict from request.FILES)."""
    return [f for f in files.getlist(field) if f and f.name]
