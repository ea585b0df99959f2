"""Banc d'essai d'ÉvalPIC : mesures de vitesse et de mémoire, hors de la suite de tests."""
