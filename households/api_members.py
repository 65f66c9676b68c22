"""The serializers of a household's members in the registry's API (households.api)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from households import rules
from households.api_fields import OptionalChoiceField
from households.models import EducationLevel, Ethnicity, Member, Relation, WorkStatus

NATIONAL_ID_FIELD = dict(
    max_length=12,
    required=False,
    allow_null=True,
    allow_blank=True,
    help_text="Số căn cước công dân, 12 chữ số; duy nhất khi có.",
)


@extend_schema_field(
    {"type": "string", "nullable": True, "maxLength": 12, "pattern": r"^\s*([0-9]{12})?\s*$", "example": "010079004321"}
)
class NationalIdField(serializers.CharField):
    """A citizen ID: 12 digits, or blank or null for none (the schema says so; `validate_national_id` checks it)."""


class MemberSerializer(serializers.ModelSerializer):
    education_level = OptionalChoiceField(
        EducationLevel.choices, required=False, help_text="Trình độ cao nhất đã tốt nghiệp; null: chưa ghi"
    )
    work_status = OptionalChoiceField(WorkStatus.choices, required=False, help_text="Việc làm; null: chưa ghi")
    date_of_birth = serializers.DateField(help_text="Ngày sinh (YYYY-MM-DD)")
    health_insurance_valid_until = serializers.DateField(
        required=False, allow_null=True, help_text="Thẻ BHYT có giá trị đến ngày (YYYY-MM-DD); null: không có thẻ"
    )
    ethnicity = serializers.PrimaryKeyRelatedField(
        queryset=Ethnicity.objects.all(),
        help_text="Mã dân tộc trong danh mục 54 dân tộc (01 = Kinh).",
        error_messages={"does_not_exist": "Dân tộc mã “{pk_value}” không có trong danh mục 54 dân tộc."},
    )
    ethnicity_name = serializers.CharField(source="ethnicity.name", read_only=True)
    national_id = NationalIdField(**NATIONAL_ID_FIELD)

    class Meta:
        model = Member
        fields = [
            "id",
            "full_name",
            "date_of_birth",
            "sex",
            "ethnicity",
            "ethnicity_name",
            "relation",
            "national_id",
            "has_disability",
            "receives_disability_allowance",
            "health_insurance_number",
            "health_insurance_valid_until",
            "schooling",
            "education_level",
            "work_status",
            "occupation",
        ]
        read_only_fields = ["id", "ethnicity_name"]

    def validate_national_id(self, value):
        value = (value or "").strip()
        if value:
            problem = rules.national_id_problem(value)
            if problem:
                raise serializers.ValidationError(problem)
        return value or None


VERSION_HELP = "Phiên bản của hộ bạn đã đọc (household_version); lệch thì trả 409."


class MemberResultSerializer(MemberSerializer):
    household_version = serializers.IntegerField(source="household.version", read_only=True)

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "household_version"]
        read_only_fields = [*MemberSerializer.Meta.read_only_fields, "household_version"]


class MemberWriteSerializer(MemberSerializer):
    version = serializers.IntegerField(min_value=1, write_only=True, help_text=VERSION_HELP)
    previous_head_relation = serializers.ChoiceField(
        choices=[c for c in Relation.choices if c[0] != Relation.HEAD],
        required=False,
        write_only=True,
        help_text="Khi đặt thành viên này làm chủ hộ: quan hệ mới của chủ hộ cũ (mặc định: khác).",
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, write_only=True, help_text="Lý do thay đổi (nhật ký)."
    )

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "version", "previous_head_relation", "reason"]


class MemberRemoveSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP + " Có thể gửi qua ?version=.")
    reason = serializers.CharField(required=False, allow_blank=True)
