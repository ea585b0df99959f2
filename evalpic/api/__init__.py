"""L'API REST d'ÉvalPIC (`/api/v1/`) : les mêmes règles que les formulaires — le même sélecteur
d'accès, les mêmes services."""
