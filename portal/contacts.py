"""Whom the public contacts about a district's publicity notice (公示): the district's own office, phone and
address, which an admin keeps on the District; where the district has given no phone, the city's contacts printed in
the programme's notice (渝人社人才〔2023〕18号)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.models import District

#: Two management zones have no human-resources bureau of their own: the city's notice addresses their personnel
#: departments. Every other unit, 万盛经开区 included, has one.
ZONE_OFFICES = {
    "两江新区": "两江新区组织人事部",
    "西部科学城重庆高新区": "西部科学城重庆高新区党群工作部",
}


@dataclass(frozen=True)
class Contact:
    office: str
    people: str
    phone: str


#: The city's contacts as the programme's notice prints them.
CITY_CONTACTS: tuple[Contact, ...] = (
    Contact("市人力资源和社会保障局流动处", "严从越、丁林华", "86868882、86868883"),
    Contact("市人才交流服务中心", "马潇", "88152028"),
)


@dataclass(frozen=True)
class ObjectionContacts:
    """``office`` signs the notice and receives objections; ``phone`` and ``address`` are the district's own (either
    may be blank); ``city`` is the city's contacts, given when the district has no phone of its own."""

    office: str
    phone: str
    address: str
    city: tuple[Contact, ...]


#: The office that audits and publicises the hires at employers without a district (a base whose district is not
#: known yet), in the district's place.
TALENT_CENTRE = "重庆市人才交流服务中心"
#: Its reference code where a district's code would stand (notice references).
TALENT_CENTRE_CODE = "RCZX"


def issuing_office(district: District | None) -> str:
    """The office that signs a district's notice and receives objections by phone or letter; without a district, the
    talent centre."""
    if district is None:
        return TALENT_CENTRE
    return district.office_name or ZONE_OFFICES.get(district.name, f"{district.name}人力资源和社会保障局")


def objection_contacts(district: District | None) -> ObjectionContacts:
    if district is None:
        return ObjectionContacts(office=TALENT_CENTRE, phone="", address="", city=CITY_CONTACTS)
    phone = district.objection_phone.strip()
    return ObjectionContacts(
        office=issuing_office(district),
        phone=phone,
        address=district.objection_address.strip(),
        city=() if phone else CITY_CONTACTS,
    )


__all__ = [
    "CITY_CONTACTS",
    "TALENT_CENTRE",
    "TALENT_CENTRE_CODE",
    "Contact",
    "ObjectionContacts",
    "issuing_office",
    "objection_contacts",
]
