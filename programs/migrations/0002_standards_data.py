"""The indicators (domain A3) and the standards VN-2016, VN-2022, VN-2027 (domain A1; Part B §1, §2, §3.4).

A new standard is a new data migration like this one, not a code change.
"""

import datetime

from django.db import migrations

INDICATORS = [
    ("employment", "việc làm", "việc làm"),
    ("dependants", "người phụ thuộc trong hộ gia đình", "việc làm"),
    ("nutrition", "dinh dưỡng", "y tế"),
    ("healthcare_access", "tiếp cận các dịch vụ y tế", "y tế"),
    ("health_insurance", "bảo hiểm y tế", "y tế"),
    ("adult_education", "trình độ giáo dục của người lớn", "giáo dục"),
    ("child_schooling", "tình trạng đi học của trẻ em", "giáo dục"),
    ("housing_quality", "chất lượng nhà ở", "nhà ở"),
    ("housing_area", "diện tích nhà ở bình quân đầu người", "nhà ở"),
    ("water", "nguồn nước sinh hoạt", "nước sinh hoạt và vệ sinh"),
    ("sanitation", "nhà tiêu hợp vệ sinh", "nước sinh hoạt và vệ sinh"),
    ("waste_treatment", "xử lý rác thải", "nước sinh hoạt, vệ sinh và môi trường"),
    ("telecom", "sử dụng dịch vụ viễn thông", "thông tin"),
    ("information_access", "phương tiện phục vụ tiếp cận thông tin", "thông tin"),
]

STANDARDS = [
    {
        "code": "VN-2016",
        "name": "Chuẩn nghèo đa chiều giai đoạn 2016-2020 (áp dụng đến hết 2021)",
        "legal_basis": "Quyết định 59/2015/QĐ-TTg; kéo dài đến 2021 theo Nghị định 07/2021/NĐ-CP Điều 2",
        "valid_from": datetime.date(2016, 1, 1),
        "valid_to": datetime.date(2021, 12, 31),
        "rural_poor_line": 1_000_000,
        "urban_poor_line": 1_300_000,
        "rural_income_only_line": 700_000,
        "urban_income_only_line": 900_000,
        "indicators": [
            "healthcare_access",
            "health_insurance",
            "adult_education",
            "child_schooling",
            "housing_quality",
            "housing_area",
            "water",
            "sanitation",
            "telecom",
            "information_access",
        ],
        "notes": "Ngưỡng điểm A của bộ công cụ 2016-2020 không có trong tài liệu nghiệp vụ: chỉ dùng thu nhập.",
    },
    {
        "code": "VN-2022",
        "name": "Chuẩn nghèo đa chiều giai đoạn 2022-2025 (kéo dài đến hết 2026)",
        "legal_basis": "Nghị định 07/2021/NĐ-CP; kéo dài đến 2026 theo Nghị định 351/2025/NĐ-CP; điểm A/B theo Thông tư 07/2021/TT-BLĐTBXH",
        "valid_from": datetime.date(2022, 1, 1),
        "valid_to": datetime.date(2026, 12, 31),
        "rural_poor_line": 1_500_000,
        "urban_poor_line": 2_000_000,
        "rural_average_upper": 2_250_000,
        "urban_average_upper": 3_000_000,
        "rural_point_a_max": 140,
        "urban_point_a_max": 175,
        "indicators": [
            "employment",
            "dependants",
            "nutrition",
            "health_insurance",
            "adult_education",
            "child_schooling",
            "housing_quality",
            "housing_area",
            "water",
            "sanitation",
            "telecom",
            "information_access",
        ],
    },
    {
        "code": "VN-2027",
        "name": "Chuẩn nghèo đa chiều giai đoạn 2027-2030",
        "legal_basis": "Nghị định 351/2025/NĐ-CP",
        "valid_from": datetime.date(2027, 1, 1),
        "valid_to": datetime.date(2030, 12, 31),
        "rural_poor_line": 2_200_000,
        "urban_poor_line": 2_800_000,
        "indicators": [
            "employment",
            "dependants",
            "nutrition",
            "health_insurance",
            "adult_education",
            "child_schooling",
            "housing_quality",
            "housing_area",
            "water",
            "sanitation",
            "waste_treatment",
            "telecom",
        ],
        "notes": "Mức sống trung bình và ngưỡng điểm A/B cho 2027-2030 chưa được công bố (cấu hình khi có).",
    },
]


def load(apps, schema_editor):
    Indicator = apps.get_model("programs", "Indicator")
    PovertyStandard = apps.get_model("programs", "PovertyStandard")
    StandardIndicator = apps.get_model("programs", "StandardIndicator")
    indicators = {}
    for code, name, dimension in INDICATORS:
        indicators[code], _ = Indicator.objects.update_or_create(
            code=code, defaults={"name": name, "dimension": dimension}
        )
    for data in STANDARDS:
        values = dict(data)
        codes = values.pop("indicators")
        standard, _ = PovertyStandard.objects.update_or_create(code=values.pop("code"), defaults=values)
        StandardIndicator.objects.filter(standard=standard).delete()
        StandardIndicator.objects.bulk_create(
            StandardIndicator(standard=standard, indicator=indicators[code], position=index)
            for index, code in enumerate(codes, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_standards")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
