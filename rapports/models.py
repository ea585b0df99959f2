"""Les bilans (modèle à venir avec le ticket des bilans)."""
