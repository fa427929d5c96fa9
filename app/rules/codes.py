"""Closed lists of the domain: code values stored in the database and their Chinese labels.

Codes are the English names of SPEC.md's glossary; labels are what a clerk reads. Every
mapping is label-by-code, and `code_for_label` reads a clerk's spreadsheet value back.
"""
from __future__ import annotations

from enum import StrEnum


class IdType(StrEnum):
    MAINLAND = "mainland"
    HK_MACAO = "hk_macao"
    TAIWAN = "taiwan"
    PASSPORT = "passport"
    FOREIGN_PR = "foreign_pr"


ID_TYPE_LABELS: dict[str, str] = {
    IdType.MAINLAND: "身份证",
    IdType.HK_MACAO: "港澳居民来往内地通行证",
    IdType.TAIWAN: "台湾居民来往大陆通行证",
    IdType.PASSPORT: "护照",
    IdType.FOREIGN_PR: "外国人永久居留身份证",
}


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


GENDER_LABELS: dict[str, str] = {Gender.MALE: "男", Gender.FEMALE: "女"}


class Category(StrEnum):
    LINKED_ENTERPRISE = "linked_enterprise"
    FLEXIBLE = "flexible"
    OUTSIDE_ENTERPRISE = "outside_enterprise"


CATEGORY_LABELS: dict[str, str] = {
    Category.LINKED_ENTERPRISE: "关联企业类",
    Category.FLEXIBLE: "灵活就业类",
    Category.OUTSIDE_ENTERPRISE: "企业外入会类",
}


class LifeStatus(StrEnum):
    IN_SERVICE = "in_service"
    RETIRED = "retired"
    DECEASED = "deceased"


LIFE_STATUS_LABELS: dict[str, str] = {
    LifeStatus.IN_SERVICE: "在职",
    LifeStatus.RETIRED: "退休",
    LifeStatus.DECEASED: "死亡",
}


class PostType(StrEnum):
    """Post type of a woman, which decides her original retirement age (50 or 55)."""

    WORKER = "worker"
    MANAGERIAL = "managerial"
    UNKNOWN = "unknown"


POST_TYPE_LABELS: dict[str, str] = {
    PostType.WORKER: "工人岗位",
    PostType.MANAGERIAL: "管理岗位",
    PostType.UNKNOWN: "不明",
}


class SsCardStatus(StrEnum):
    NORMAL = "normal"
    SEALED = "sealed"
    REPORTED_LOST = "reported_lost"
    LOCKED = "locked"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


SS_CARD_LABELS: dict[str, str] = {
    SsCardStatus.NORMAL: "正常",
    SsCardStatus.SEALED: "封存",
    SsCardStatus.REPORTED_LOST: "挂失",
    SsCardStatus.LOCKED: "锁定",
    SsCardStatus.CANCELLED: "注销",
    SsCardStatus.UNKNOWN: "不明确",
}


class EmploymentStatus(StrEnum):
    EMPLOYED = "employed"
    UNKNOWN = "unknown"


EMPLOYMENT_LABELS: dict[str, str] = {
    EmploymentStatus.EMPLOYED: "在职",
    EmploymentStatus.UNKNOWN: "不明确",
}


class InsuranceStatus(StrEnum):
    """人保状态: whether social insurance is paid; PENDING needs a clerk's confirmation."""

    PAID = "paid"
    PENDING = "pending"
    CONFIRMED = "confirmed"


INSURANCE_STATUS_LABELS: dict[str, str] = {
    InsuranceStatus.PAID: "正常",
    InsuranceStatus.PENDING: "待确认",
    InsuranceStatus.CONFIRMED: "已确认",
}


class CardStatus(StrEnum):
    NONE = "none"
    APPLYING = "applying"
    ISSUED = "issued"


CARD_STATUS_LABELS: dict[str, str] = {
    CardStatus.NONE: "未办卡",
    CardStatus.APPLYING: "办卡中",
    CardStatus.ISSUED: "已办卡",
}


class PlanType(StrEnum):
    A = "A"
    B = "B"
    A_PLUS = "A_PLUS"
    B_PLUS = "B_PLUS"


PLAN_TYPE_LABELS: dict[str, str] = {
    PlanType.A: "A类会员专享基本保障",
    PlanType.B: "B类会员专享基本保障",
    PlanType.A_PLUS: "A+类会员专享基本保障",
    PlanType.B_PLUS: "B+类会员专享基本保障",
}


def code_for_label(labels: dict[str, str], value: str) -> str | None:
    """The code whose label (or code) equals `value`, ignoring surrounding spaces; else None."""
    value = value.strip()
    for code, label in labels.items():
        if value == label or value == str(code):
            return str(code)
    return None
