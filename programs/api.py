"""REST API of the program: stateless classification and the standards (read-only)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import DomainError
from config.permissions import HasRight
from households import rules as access
from programs import rules, selectors
from programs.models import PovertyStandard


class ClassifyRequestSerializer(serializers.Serializer):
    standard = serializers.CharField(max_length=20, help_text="Mã chuẩn nghèo: VN-2016, VN-2022, VN-2027.")
    area_type = serializers.ChoiceField(
        choices=[(a.value, rules.AREA_LABELS[a]) for a in rules.AreaType],
        error_messages={"invalid_choice": "Khu vực “{input}” không hợp lệ: chỉ nhận rural hoặc urban."},
    )
    income_per_capita = serializers.IntegerField(
        required=False, allow_null=True, help_text="Thu nhập bình quân đầu người/tháng (VND)."
    )
    point_a = serializers.IntegerField(
        required=False, allow_null=True, help_text="Điểm A (phiếu B1), thay cho thu nhập."
    )
    deprivations = serializers.ListField(
        child=serializers.CharField(max_length=30),
        required=False,
        default=list,
        help_text="Mã các chỉ số thiếu hụt (A3).",
    )


class ClassifyResponseSerializer(serializers.Serializer):
    standard = serializers.CharField()
    area_type = serializers.CharField()
    category = serializers.ChoiceField(choices=[c.value for c in rules.Category])
    deprivation_count = serializers.IntegerField()
    deprived = serializers.ListField(child=serializers.CharField())
    point_b = serializers.IntegerField()
    income_line = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


def classification_data(result: rules.Classification) -> dict:
    return {
        "standard": result.standard,
        "area_type": result.area_type.value,
        "category": result.category.value,
        "deprivation_count": result.deprivation_count,
        "deprived": list(result.deprived),
        "point_b": result.point_b,
        "income_line": result.income_line,
        "reasons": list(result.reasons),
    }


def run_rule(function, *args, **kwargs):
    """Call a pure rule; its input errors become the API's 400 naming the field."""
    try:
        return function(*args, **kwargs)
    except rules.RuleInputError as exc:
        raise DomainError(exc.code, exc.message, exc.field) from exc


class ClassifyView(APIView):
    """Stateless classification of one household's facts under a named standard (domain A2)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Phân loại hộ theo một chuẩn nghèo (không lưu)",
        request=ClassifyRequestSerializer,
        responses={200: ClassifyResponseSerializer},
    )
    def post(self, request):
        payload = ClassifyRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        standard = selectors.standard_rule(data["standard"])
        result = run_rule(
            rules.classify,
            standard,
            area_type=data["area_type"],
            deprived=data["deprivations"],
            income_per_capita=data.get("income_per_capita"),
            point_a=data.get("point_a"),
        )
        return Response(classification_data(result))


class PovertyStandardSerializer(serializers.ModelSerializer):
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = PovertyStandard
        fields = [
            "id",
            "code",
            "name",
            "legal_basis",
            "valid_from",
            "valid_to",
            "rural_poor_line",
            "urban_poor_line",
            "rural_income_only_line",
            "urban_income_only_line",
            "rural_average_upper",
            "urban_average_upper",
            "deprivation_threshold",
            "rural_point_a_max",
            "urban_point_a_max",
            "point_b_per_indicator",
            "indicators",
        ]

    def get_indicators(self, obj) -> list[str]:
        return [si.indicator.code for si in obj.standard_indicators.all()]


class PovertyStandardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PovertyStandardSerializer
    permission_classes = [HasRight]
    required_rights = {"list": access.STANDARD_VIEW, "retrieve": access.STANDARD_VIEW}
    queryset = PovertyStandard.objects.prefetch_related("standard_indicators__indicator")
    ordering_fields = ["valid_from", "code", "id"]
    ordering = ["valid_from"]
    filterset_fields = ["code"]
