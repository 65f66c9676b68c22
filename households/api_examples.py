"""The examples of the household endpoints in the schema (households.api): one household, one member, a detail."""

HOUSEHOLD_EXAMPLE = {
    "id": 1207,
    "code": "02647-000089",
    "province": 1,
    "district": None,
    "commune": 845,
    "commune_code": "02647",
    "commune_name": "Phường Lào Cai",
    "village": 10512,
    "village_name": "Tổ dân phố số 5",
    "address": "Số 12, đường Hoàng Liên",
    "area_type": "urban",
    "head": 4410,
    "head_name": "Lò Văn Minh",
    "is_ethnic_minority": True,
    "has_revolutionary_contributor": False,
    "has_social_protection_member": False,
    "no_labour_capacity": False,
    "is_female_headed": False,
    "status": "near_poor",
    "status_since": "2025-12-15",
    "version": 3,
    "created_at": "2025-10-02T08:15:00+07:00",
    "updated_at": "2026-11-20T14:02:11+07:00",
    "ever_poor": True,
    "left_lists_on": None,
    "newly_escaped_until": None,
    "years_in_poverty": 2,
}
MEMBER_EXAMPLE = {
    "full_name": "Lò Văn Minh",
    "date_of_birth": "1979-04-11",
    "sex": "male",
    "ethnicity": "04",
    "relation": "head",
    "national_id": "010079004321",
    "has_disability": False,
    "education_level": "lower_secondary",
    "work_status": "self_employed",
    "occupation": "Trồng lúa",
}
HOUSEHOLD_DETAIL_EXAMPLE = {
    **HOUSEHOLD_EXAMPLE,
    "members": [
        {
            "id": 4410,
            **MEMBER_EXAMPLE,
            "ethnicity_name": "Tày",
            "receives_disability_allowance": False,
            "health_insurance_number": "",
            "health_insurance_valid_until": None,
            "schooling": "none",
        }
    ],
}
