"""Les dates courtes de l'anglais en ISO 8601 (« 2026-11-28 », « 2026-11-28 03:20 ») plutôt que
le « 11/28/2026 » américain de Django : la même chaîne se lirait le 28 novembre en anglais et
pourrait se lire un autre jour en français (« 02/01/2016 » : 2 janvier ici, 1er février là).
Les formats longs (« Nov. 28, 2026 ») restent ceux de Django; le français ne change pas."""

SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
